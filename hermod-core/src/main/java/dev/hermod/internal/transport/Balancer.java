package dev.hermod.internal.transport;

import dev.hermod.resolve.LoadBalancing;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link LoadBalancing} policy: picks, among a client's endpoints, the one a call goes to,
 * skipping those that cannot take it and those already tried for it. Thread-safe.
 */
final class Balancer {
    private final LoadBalancing policy;
    private final AtomicInteger next = new AtomicInteger();

    Balancer(LoadBalancing policy) {
        this.policy = policy;
    }

    /**
     * Picks one of {@code replicas} that is available and not in {@code tried}, preferring those
     * with a connection open; null if none is available.
     */
    <C extends ConnectionPool.Member> Replica<C> pick(List<Replica<C>> replicas, List<Replica<C>> tried) {
        if (replicas.isEmpty()) {
            return null;
        }
        Replica<C> ready = pick(replicas, tried, true);
        return ready != null ? ready : pick(replicas, tried, false);
    }

    private <C extends ConnectionPool.Member> Replica<C> pick(List<Replica<C>> replicas, List<Replica<C>> tried,
            boolean ready) {
        return switch (policy) {
            case POWER_OF_TWO_CHOICES -> twoChoices(replicas, tried, ready);
            case ROUND_ROBIN -> roundRobin(replicas, tried, ready);
            case WEIGHTED -> weighted(replicas, tried, ready);
        };
    }

    private static <C extends ConnectionPool.Member> boolean usable(Replica<C> r, List<Replica<C>> tried,
            boolean ready) {
        return (tried == null || !tried.contains(r)) && (!ready || r.pool().isReady()) && r.isAvailable();
    }

    private <C extends ConnectionPool.Member> Replica<C> twoChoices(List<Replica<C>> replicas, List<Replica<C>> tried,
            boolean ready) {
        int n = replicas.size();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (n > 1) {
            int i = random.nextInt(n);
            int j = random.nextInt(n - 1);
            if (j >= i) {
                j++;
            }
            Replica<C> a = replicas.get(i);
            Replica<C> b = replicas.get(j);
            boolean useA = usable(a, tried, ready);
            boolean useB = usable(b, tried, ready);
            if (useA && useB) {
                int la = a.pool().outstanding();
                int lb = b.pool().outstanding();
                return la < lb || la == lb && random.nextBoolean() ? a : b;
            }
            if (useA || useB) {
                return useA ? a : b;
            }
        }
        // Both choices unusable (or one endpoint): the least loaded of those that are usable.
        Replica<C> best = null;
        int bestLoad = Integer.MAX_VALUE;
        int start = random.nextInt(n);
        for (int k = 0; k < n; k++) {
            Replica<C> r = replicas.get((start + k) % n);
            if (usable(r, tried, ready)) {
                int load = r.pool().outstanding();
                if (load < bestLoad) {
                    best = r;
                    bestLoad = load;
                }
            }
        }
        return best;
    }

    private <C extends ConnectionPool.Member> Replica<C> roundRobin(List<Replica<C>> replicas, List<Replica<C>> tried,
            boolean ready) {
        int n = replicas.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        for (int k = 0; k < n; k++) {
            Replica<C> r = replicas.get((start + k) % n);
            if (usable(r, tried, ready)) {
                return r;
            }
        }
        return null;
    }

    /** Smooth weighted round-robin (nginx's): each pick adds every weight, takes the largest sum, and subtracts the total from it. */
    private synchronized <C extends ConnectionPool.Member> Replica<C> weighted(List<Replica<C>> replicas,
            List<Replica<C>> tried, boolean ready) {
        Replica<C> best = null;
        long total = 0;
        for (Replica<C> r : replicas) {
            int w = r.endpoint().weight();
            if (w > 0 && usable(r, tried, ready)) {
                r.currentWeight += w;
                total += w;
                if (best == null || r.currentWeight > best.currentWeight) {
                    best = r;
                }
            }
        }
        if (best == null) {
            return roundRobin(replicas, tried, ready); // only endpoints of weight 0 can take it
        }
        best.currentWeight -= total;
        return best;
    }
}
