package example;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;

/** Checks that a host answers TLS on a port, without a shell or a subprocess. */
public final class HostCheck {
    private static final Pattern HOST = Pattern.compile("^[A-Za-z0-9.-]{1,253}$");

    private HostCheck() {
    }

    /** True when the host accepts a TLS connection on the port within the timeout. */
    public static boolean answers(String host, int port, int timeoutMillis) throws IOException {
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("not a host name");
        }
        try (Socket socket = SSLSocketFactory.getDefault().createSocket()) {
            socket.connect(new InetSocketAddress(host, port), timeoutMillis);
            return true;
        }
    }
}
