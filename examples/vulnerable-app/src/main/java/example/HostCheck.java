package example;

import java.io.IOException;

/** Checks that a host answers. DELIBERATELY VULNERABLE sample: never deploy. */
public final class HostCheck {
    private HostCheck() {
    }

    /**
     * SEEDED JAVA COMMAND INJECTION (issue 15): the caller's host name reaches a shell command
     * line. FindSecBugs reports COMMAND_INJECTION.
     */
    public static Process ping(String host) throws IOException {
        return Runtime.getRuntime().exec(new String[] {"sh", "-c", "ping -c 1 " + host});
    }
}
