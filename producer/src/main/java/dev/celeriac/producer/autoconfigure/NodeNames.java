package dev.celeriac.producer.autoconfigure;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Celery-style node names, {@code <prefix><pid>@<host>}, for the origin of tasks and the names of workers. */
public final class NodeNames {

    private NodeNames() {}

    /** The node name of this process with the given prefix, e.g. {@code celeriac-4242@web-1}. */
    public static String of(String prefix) {
        return prefix + ProcessHandle.current().pid() + "@" + host();
    }

    /** This host's name: {@code HOSTNAME} (set in containers), else what the resolver says, else localhost. */
    public static String host() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
