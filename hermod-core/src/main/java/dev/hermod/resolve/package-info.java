/**
 * Several servers behind one client: where a target's endpoints come from, and how calls are
 * spread over them. A {@link dev.hermod.resolve.NameResolver} turns a target such as
 * {@code tcp://a:4061,b:4061} or {@code zk://zk1:2181/hermod/vms} into a live, changing set of
 * {@link dev.hermod.resolve.Endpoint}s; its {@link dev.hermod.resolve.NameResolver.Provider} is
 * found by the target's scheme, from {@link dev.hermod.Client.Builder#resolver} or through
 * {@link java.util.ServiceLoader}. The client keeps connections to each endpoint and picks one per
 * call by its {@link dev.hermod.resolve.LoadBalancing} policy; {@link dev.hermod.Client#endpoints()}
 * shows each endpoint's {@link dev.hermod.resolve.EndpointStatus}.
 *
 * <p>An application that talks to one server never names this package; one that runs several
 * names at most {@code LoadBalancing}. Resolver authors (DNS, ZooKeeper, a service registry)
 * implement {@code NameResolver} and its {@code Provider}.
 *
 * @since 0.3
 */
package dev.hermod.resolve;
