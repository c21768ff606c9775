"""Checks that a host answers. DELIBERATELY VULNERABLE sample: never deploy."""
import subprocess
import sys


def check(host):
    # SEEDED SHELL INJECTION (issue 4): user input reaches a shell. A host such as
    # "example.com; cat /etc/passwd" runs a second command. Bandit reports B602 (HIGH).
    output = subprocess.check_output("ping -c 1 " + host, shell=True)
    return output.decode()


if __name__ == "__main__":
    print(check(sys.argv[1]))
