#!/usr/bin/env bash
# Installs a built beccaria under a prefix: the binary, its manual (one page per command, from
# swift-argument-parser's generate-manual plugin) and completions for bash, zsh and fish (from
# the binary's --generate-completion-script). scripts/setup --release runs it on the release
# build; scripts/test on the debug build, into a folder of its own, to check what it installs.
#
#   bash scripts/lib/install.sh CONFIGURATION PREFIX     (CONFIGURATION: release or debug)
set -euo pipefail
configuration="${1:?install.sh needs a configuration (release or debug)}"
prefix="${2:?install.sh needs a prefix, such as /usr/local}"
cd "$(dirname "$0")/../.."
source scripts/lib/swiftpm.sh

case "$configuration" in
  release) bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/beccaria" ;;
  debug) bin="$(swift build --show-bin-path)/beccaria" ;;
  *) echo "install.sh: the configuration is release or debug, not $configuration" >&2; exit 2 ;;
esac
[ -x "$bin" ] || { echo "install.sh: $bin is not built (run scripts/setup first)" >&2; exit 1; }

# The plugin builds the products in the configuration given (done already: it only links) and
# writes the pages into the plugin's work folder.
swift package --disable-sandbox plugin generate-manual --configuration "$configuration" --multi-page >/dev/null
manuals=.build/plugins/GenerateManual/outputs/beccaria
ls "$manuals"/beccaria.1 >/dev/null

install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
  "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
install -m 755 "$bin" "$prefix/bin/beccaria"
install -m 644 "$manuals"/*.1 "$prefix/share/man/man1/"
"$bin" --generate-completion-script bash >"$prefix/share/bash-completion/completions/beccaria"
"$bin" --generate-completion-script zsh >"$prefix/share/zsh/site-functions/_beccaria"
"$bin" --generate-completion-script fish >"$prefix/share/fish/vendor_completions.d/beccaria.fish"
echo "install: beccaria, $(ls "$manuals"/*.1 | wc -l) manual pages (man beccaria, man beccaria.session.move) and bash, zsh and fish completions under $prefix"
