"""The test cluster as the Python suites (Tests/web, Tests/mail, Tests/spreadsheet) reach it: URLs
of its databases and logins, derived from BECCARIA_TEST_DATABASE_URL, which scripts/test sets, and
the command line run against one of them."""
import json
import os
import subprocess
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("BECCARIA_BIN", os.path.join(ROOT, ".build", "debug", "beccaria"))


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


class CommandLine:
    """The beccaria binary against the database at `url`, with `folder` for its files; `env` adds
    to (or, with None, removes from) the process environment."""

    def __init__(self, url, folder, actor, **env):
        self.url = url
        self.folder = folder
        self.env = dict(os.environ, DATABASE_URL=url, BECCARIA_ACTOR=actor)
        for name, value in env.items():
            if value is None:
                self.env.pop(name, None)
            else:
                self.env[name] = value

    def run(self, *args, check=True, env=None, timeout=120):
        result = subprocess.run([BIN, *args], env=env or self.env, capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"beccaria {' '.join(args)} failed ({result.returncode}): {result.stderr}{result.stdout}")
        return result

    def json(self, *args):
        return json.loads(self.run(*args, "--format", "json").stdout)
