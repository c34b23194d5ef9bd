package main

import "github.com/spf13/cobra"

// STUB: replaced by the engine work (issue 3).
func newApplyCmd(g *globalFlags, io streams) *cobra.Command {
	return &cobra.Command{Use: "apply", Short: "Apply a playbook headless"}
}
