#!/usr/bin/env bash
# Checks what scripts/setup --release installs, on the debug build (same script, same files):
# the manual pages read by man, and the bash completion answering a half-typed command.
#
#   bash scripts/lib/check-install.sh PREFIX
set -euo pipefail
prefix="${1:?check-install.sh needs a folder to install into}"
cd "$(dirname "$0")/../.."
fail() { echo "install check: $*" >&2; exit 1; }

bash scripts/lib/install.sh debug "$prefix" 2> >(grep -v "^warning: \|CMakeLists" >&2)
pages=$(ls "$prefix/share/man/man1" | wc -l)
[ "$pages" -gt 60 ] || fail "only $pages manual pages"
# Read as a person would, without overstrike and with the lines joined.
page="$(MANWIDTH=100 man -l -P cat "$prefix/share/man/man1/beccaria.session.move.1" 2>/dev/null | col -b | tr -s ' \n' '  ')"
grep -q "beccaria session move" <<<"$page" || fail "man beccaria.session.move does not name the command"
grep -q -- "--date" <<<"$page" || fail "man beccaria.session.move does not describe --date"
grep -q "reason is kept in the audit log" <<<"$page" || fail "man beccaria.session.move lacks the command's discussion"
main="$(MANWIDTH=100 man -l -P cat "$prefix/share/man/man1/beccaria.1" 2>/dev/null | col -b | tr -s ' \n' '  ')"
grep -q "enrolment" <<<"$main" || fail "man beccaria does not list the commands"
"$prefix/bin/beccaria" --version | grep -q "^beccaria 0.2.0" || fail "the installed binary does not say what it is"

# bash: complete "beccaria session mo" and "beccaria enrolment import --c".
completion="$prefix/share/bash-completion/completions/beccaria"
words=$(bash -c '
  source "$1"
  complete_with() { COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    COMPREPLY=(); "$(complete -p beccaria | sed "s/.*-F \([^ ]*\) .*/\1/")" beccaria "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
    printf "%s\n" "${COMPREPLY[@]}"; }
  complete_with beccaria session mo
  complete_with beccaria enrolment import --c' _ "$completion")
grep -qx "move" <<<"$words" || fail "bash completion of \"beccaria session mo\" gave: $words"
grep -qx -- "--course" <<<"$words" || fail "bash completion of \"beccaria enrolment import --c\" gave: $words"
[ -s "$prefix/share/zsh/site-functions/_beccaria" ] || fail "no zsh completion"
[ -s "$prefix/share/fish/vendor_completions.d/beccaria.fish" ] || fail "no fish completion"
echo "install check: $pages manual pages, man and bash completion answer as expected"
