package dev.hermod.zookeeper;

import java.net.URI;

/** A {@code zk://host:port[,host:port]/path} target: the ensemble to connect to and the path to watch. */
record ZooKeeperTarget(String connectString, String path) {
    static final String SCHEME = "zk";

    static ZooKeeperTarget parse(URI target) {
        String authority = target.getRawAuthority();
        String path = target.getPath();
        if (!SCHEME.equalsIgnoreCase(target.getScheme()) || authority == null || authority.isEmpty()
                || path == null || path.length() < 2 || path.endsWith("/")
                || target.getRawQuery() != null || target.getRawFragment() != null) {
            throw new IllegalArgumentException("invalid ZooKeeper target '" + target
                    + "': expected zk://host:2181[,host2:2181]/path/of/the/service, such as zk://zk1:2181/hermod/vms");
        }
        return new ZooKeeperTarget(authority, path);
    }

    static ZooKeeperTarget parse(String target) {
        try {
            return parse(URI.create(target));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("invalid ZooKeeper target")) {
                throw e;
            }
            throw new IllegalArgumentException("invalid ZooKeeper target '" + target + "': " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return SCHEME + "://" + connectString + path;
    }
}
