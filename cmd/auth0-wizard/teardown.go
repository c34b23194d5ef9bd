package main

import "github.com/spf13/cobra"

// STUB: replaced by the engine work (issue 3).
func newTeardownCmd(g *globalFlags, io streams) *cobra.Command {
	return &cobra.Command{Use: "teardown", Short: "Delete what a journal says this tool created"}
}
