# Sourced by scripts/test, scripts/demo and scripts/bench: the Python tools they use, from PyPI,
# in a virtual environment under ~/.cache/beccaria (BECCARIA_TEST_VENV), made or completed once.
# pytest and selenium drive the tests; axe-core (4.12) is taken from axe-playwright-python, which
# bundles it (playwright itself is not needed: selenium drives the browser, so that package comes
# without its dependencies); aiosmtpd is the local SMTP server mail is delivered to
# (scripts/lib/smtp_sink.py), icalendar reads the calendar files back, openpyxl the workbooks of
# --format xlsx (Tests/spreadsheet). Sets $venv.
venv="${BECCARIA_TEST_VENV:-$HOME/.cache/beccaria/test-venv}"
if [ ! -x "$venv/bin/pytest" ] || ! "$venv/bin/python" -c 'import selenium, aiosmtpd, icalendar, openpyxl, importlib.util as u; assert u.find_spec("axe_playwright_python")' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check pytest==8.3.4 selenium==4.27.1 aiosmtpd==1.4.6 icalendar==6.1.0 openpyxl==3.1.5
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps axe-playwright-python==0.1.8
fi
