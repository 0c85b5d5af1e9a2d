/**
 * Hermod's test kit: {@link dev.hermod.test.HermodExtension} runs a server for a JUnit 5 test,
 * in process or on loopback TCP, and injects a client and proxies.
 */
package dev.hermod.test;
