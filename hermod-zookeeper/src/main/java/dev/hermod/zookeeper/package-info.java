/**
 * Discovery through Apache ZooKeeper: {@code zk://host:2181[,host2:2181]/path} client targets
 * ({@link dev.hermod.zookeeper.ZooKeeperResolverProvider}, found through
 * {@link java.util.ServiceLoader}) and servers publishing themselves under that path
 * ({@link dev.hermod.zookeeper.ZooKeeperRegistration}).
 *
 * <p>Layout: each server is one ephemeral sequential node {@code <path>/_c_<uuid>-endpoint-<sequence>}
 * whose data is UTF-8 JSON {@code {"host":"10.0.0.7","port":4061,"weight":1,"attributes":{}}}
 * ({@code weight} and {@code attributes} optional); clients read every child, whatever its
 * name, so a server in any language can register itself. The node goes when the server drains or closes, or when its ZooKeeper session expires.
 */
package dev.hermod.zookeeper;
