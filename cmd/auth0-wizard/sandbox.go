package main

import "github.com/spf13/cobra"

// STUB: replaced by the sandbox work (issue 2).
func newSandboxCmd(io streams) *cobra.Command {
	return &cobra.Command{Use: "sandbox", Short: "Run the sandbox tenant as a server"}
}
