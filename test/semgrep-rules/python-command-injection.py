import os
import subprocess


def bad(host, cmd):
    # ruleid: python-command-injection
    subprocess.check_output("ping -c 1 " + host, shell=True)
    # ruleid: python-command-injection
    subprocess.run(f"ls {host}", shell=True, check=True)
    # ruleid: python-command-injection
    os.system("rm -rf " + cmd)
    # ruleid: python-command-injection
    os.popen(cmd)


def good(host):
    # ok: python-command-injection
    subprocess.check_output(["ping", "-c", "1", host])
    # ok: python-command-injection
    subprocess.run("ls -l", shell=True)
    # ok: python-command-injection
    os.system("true")
