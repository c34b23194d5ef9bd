package main

import "github.com/spf13/cobra"

// STUB: replaced by the troubleshooting work (issue 5).
func newDoctorCmd(g *globalFlags, ios streams) *cobra.Command {
	return &cobra.Command{Use: "doctor", Short: "Check an existing setup", Hidden: true}
}

// STUB: replaced by the troubleshooting work (issue 5).
func newTokenCmd(g *globalFlags, ios streams) *cobra.Command {
	return &cobra.Command{Use: "token", Short: "Decode and verify tokens", Hidden: true}
}
