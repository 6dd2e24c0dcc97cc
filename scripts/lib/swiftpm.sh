# Sourced by the scripts that build or test: SwiftPM (and whatever it runs, such as the test
# suites and their scratch files) gets a temporary folder of its own. Every `swift build` leaves a
# few empty `TemporaryDirectory.*` folders in TMPDIR; without this they piled up in /tmp. The folder goes when the script exits: this sets the EXIT trap, and a script
# that sets its own calls `swiftpm_cleanup` from it.
swiftpm_tmp="$(mktemp -d "${TMPDIR:-/tmp}/beccaria-swiftpm-XXXXXX")"
swiftpm_cleanup() { rm -rf "$swiftpm_tmp"; }
trap swiftpm_cleanup EXIT
swift() { TMPDIR="$swiftpm_tmp" command swift "$@"; }
