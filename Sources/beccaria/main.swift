// The `beccaria` executable: starts the root command, nothing else.
import BeccariaCommands

BeccariaCommand.runFromCommandLine()
