/**
 * Hermod: Java RPC centred on asynchronous method invocation.
 *
 * <p>The module exports only the public API ({@code dev.hermod}, {@code dev.hermod.security} for TLS and identity, and
 * {@code dev.hermod.intercept} for interceptors, {@code dev.hermod.resolve} for several servers and
 * the resolver SPI, {@code dev.hermod.connection}, {@code dev.hermod.health} and {@code dev.hermod.flow}
 * for what fewer applications need), the codec SPI and its payload limits ({@code dev.hermod.codec})
 * and what only tools and generated code use ({@code dev.hermod.tools});
 * everything under {@code dev.hermod.internal} may change in any release. Contracts and the types they carry are read by reflection: an application in a named
 * module must open the packages holding its {@code @Remote} interfaces and value types to
 * {@code dev.hermod} and {@code com.fasterxml.jackson.databind}.
 */
module dev.hermod {
    exports dev.hermod;
    exports dev.hermod.security;
    exports dev.hermod.intercept;
    exports dev.hermod.codec;
    exports dev.hermod.health;
    exports dev.hermod.connection;
    exports dev.hermod.flow;
    exports dev.hermod.tools;
    exports dev.hermod.resolve;

    uses dev.hermod.resolve.NameResolver.Provider;
    provides dev.hermod.resolve.NameResolver.Provider with dev.hermod.internal.transport.DnsResolver.AddressProvider,
            dev.hermod.internal.transport.DnsResolver.SrvProvider;

    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.handler;
    requires io.netty.codec;
    requires io.netty.codec.compression;
    requires io.netty.codec.http;
    requires io.netty.codec.dns;
    requires io.netty.resolver;
    requires io.netty.resolver.dns;
    requires HdrHistogram;
    requires org.lz4.java;
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.unix.common;
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.dataformat.cbor;
    requires com.fasterxml.jackson.datatype.jdk8;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires org.slf4j;
}
