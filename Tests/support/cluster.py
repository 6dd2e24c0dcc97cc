"""The test cluster as the Python suites (Tests/web, Tests/mail) reach it: URLs of its databases
and logins, derived from BECCARIA_TEST_DATABASE_URL, which scripts/test sets."""
import subprocess
import urllib.parse


def database_url(base, name=None, user=None):
    """The test cluster's URL (postgresql:///db?host=…&port=…&user=…) for another database or login."""
    head, _, query = base.partition("?")
    parameters = dict(urllib.parse.parse_qsl(query))
    if user:
        parameters["user"] = user
    if name:
        head = head.rsplit("/", 1)[0] + "/" + name
    return head + "?" + urllib.parse.urlencode(parameters)


def psql(url, *commands):
    """Runs `commands` with psql against `url`, stopping at the first error; returns the rows as text."""
    arguments = ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", url]
    for command in commands:
        arguments += ["-c", command]
    return subprocess.run(arguments, check=True, capture_output=True, text=True).stdout
