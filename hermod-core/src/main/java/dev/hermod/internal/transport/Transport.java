package dev.hermod.internal.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Netty plumbing of one client or server: its I/O threads and the channel type (native
 * epoll on Linux when available, NIO elsewhere; Netty's local channels for an in-process server
 * and its clients, which carry the same frames through the same pipeline without a socket).
 * Knows nothing of frames, contracts or servants: callers give it a channel initializer.
 */
public final class Transport {
    private static final boolean EPOLL = Epoll.isAvailable();
    /**
     * Bytes a channel buffers before it reports itself unwritable, and below which it becomes
     * writable again: large enough to keep a fast link busy with big frames in flight.
     */
    private static final io.netty.channel.WriteBufferWaterMark WATER_MARK =
            new io.netty.channel.WriteBufferWaterMark(512 * 1024, 1024 * 1024);

    /** The scheme of in-process targets: {@code inproc://name}. */
    public static final String IN_PROCESS = "inproc";

    private final EventLoopGroup group;
    private final EventLoopGroup acceptGroup;
    private final boolean local;

    private Transport(EventLoopGroup group, EventLoopGroup acceptGroup, boolean local) {
        this.group = group;
        this.acceptGroup = acceptGroup;
        this.local = local;
    }

    /**
     * Creates a transport for a client: {@code threads} I/O threads named after {@code name};
     * {@code local} for a client of in-process servers.
     */
    public static Transport forClient(int threads, String name, boolean local) {
        return new Transport(newGroup(threads, name + "-io", local), null, local);
    }

    /**
     * Creates a transport for a server: one accept thread and {@code threads} I/O threads (0:
     * default); {@code local} for a server listening in process.
     */
    public static Transport forServer(int threads, String name, boolean local) {
        return new Transport(newGroup(threads, name + "-io", local), newGroup(1, name + "-accept", local), local);
    }

    /**
     * The address a target names: an in-process name for {@code inproc://name}, else an unresolved
     * host and port (resolved when connecting).
     */
    public static SocketAddress remote(URI target) {
        return IN_PROCESS.equals(target.getScheme())
                ? new LocalAddress(target.getAuthority())
                : InetSocketAddress.createUnresolved(target.getHost(), target.getPort());
    }

    /** The address an in-process server listens on. */
    public static SocketAddress inProcess(String name) {
        return new LocalAddress(name);
    }

    static EventLoopGroup newGroup(int threads, String name, boolean local) {
        IoHandlerFactory factory = local ? LocalIoHandler.newFactory()
                : EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        ThreadFactory ioThreads = new DefaultThreadFactory(name, true) {
            @Override
            protected Thread newThread(Runnable r, String threadName) {
                return new IoThread(threadGroup, r, threadName);
            }
        };
        return new MultiThreadIoEventLoopGroup(threads, ioThreads, factory);
    }

    /**
     * Tells whether the calling thread is an I/O thread of any Hermod client or server in this
     * JVM: code there must never block.
     */
    public static boolean onIoThread() {
        return Thread.currentThread() instanceof IoThread;
    }

    /**
     * Runs {@code task} that an executor refused (it was shut down, or is full): here, unless this
     * is an I/O thread, where user code must never run; then on the common pool.
     */
    public static void runRefused(Runnable task) {
        if (onIoThread()) {
            java.util.concurrent.ForkJoinPool.commonPool().execute(task);
        } else {
            task.run();
        }
    }

    /**
     * Runs {@code task} on {@code executor}. From an I/O thread, the tasks handed to one executor
     * during a turn of its event loop go as one task, at the end of the turn (see
     * {@link IoThread}); a task that the executor refuses then runs on the common pool. From any
     * other thread, this is {@code executor.execute(task)}.
     *
     * @throws java.util.concurrent.RejectedExecutionException if {@code executor} refuses the task,
     *     and this is not an I/O thread
     */
    public static void handOff(java.util.concurrent.Executor executor, Runnable task) {
        if (Thread.currentThread() instanceof IoThread io) {
            io.handOff(executor, task);
        } else {
            executor.execute(task);
        }
    }

    /** Tells which channel implementation this transport uses, for diagnostics. */
    public String kind() {
        return local ? "in process" : EPOLL ? "epoll" : "nio";
    }

    /**
     * Opens a connection to a TCP address or, on a local transport, to an in-process server; the
     * returned future completes when the connection is established.
     */
    public ChannelFuture connect(SocketAddress address, Duration timeout, Consumer<Channel> init) {
        Bootstrap b = new Bootstrap()
                .group(group)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.ALLOCATOR, io.netty.buffer.ByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
                .handler(initializer(init));
        if (local) {
            b.channel(LocalChannel.class);
        } else {
            b.channel(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true);
        }
        return b.connect(address);
    }

    /**
     * Binds a listening socket, or on a local transport an in-process name; {@code init} sets up
     * each accepted connection. Blocks until bound.
     */
    public ServerChannel bind(SocketAddress address, Consumer<Channel> init) throws InterruptedException {
        if (acceptGroup == null) {
            throw new IllegalStateException("not a server transport");
        }
        ServerBootstrap b = new ServerBootstrap()
                .group(acceptGroup, group)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.ALLOCATOR, io.netty.buffer.ByteBufAllocator.DEFAULT)
                .childHandler(initializer(init));
        if (local) {
            b.channel(LocalServerChannel.class);
        } else {
            b.channel(EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true);
        }
        ChannelFuture f = b.bind(address).await();
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            throw new BindFailure("cannot listen on " + address + ": " + cause.getMessage(), cause);
        }
        return (ServerChannel) f.channel();
    }

    private static ChannelInitializer<Channel> initializer(Consumer<Channel> init) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                init.accept(ch);
            }
        };
    }

    /**
     * Runs {@code task} on an I/O thread after {@code delayNanos}; tasks must not block. Once the
     * transport is shutting down, the task is dropped.
     */
    public void schedule(Runnable task, long delayNanos) {
        if (group.isShuttingDown()) {
            return;
        }
        try {
            group.next().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutdown began after the check above: dropped, as documented
        }
    }

    /**
     * Releases the I/O threads; the returned future completes when they have stopped. The tasks
     * already queued on them run first: a link's last writes before its close, say. (A Netty
     * event loop that shuts down closes its channels before it runs what is queued, which would
     * drop frames a closing link still had to write.)
     */
    public Future<?> shutdown() {
        if (acceptGroup != null) {
            acceptGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        io.netty.util.concurrent.Promise<Void> stopped =
                new io.netty.util.concurrent.DefaultPromise<>(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);
        java.util.List<io.netty.util.concurrent.EventExecutor> loops = new java.util.ArrayList<>();
        group.forEach(loops::add);
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(loops.size());
        Runnable queuedTasksRan = () -> {
            if (left.decrementAndGet() == 0) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).addListener(f -> stopped.trySuccess(null));
            }
        };
        for (io.netty.util.concurrent.EventExecutor loop : loops) {
            try {
                loop.execute(queuedTasksRan);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                queuedTasksRan.run(); // already stopping
            }
        }
        return stopped;
    }

    /** Thrown when a listening socket cannot be bound. */
    public static final class BindFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BindFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
