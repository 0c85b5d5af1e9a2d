/**
 * The seam between the public API and the runtime: interfaces the façades in {@code dev.hermod}
 * hold and {@code dev.hermod.internal.runtime} implements, and the settings the builders hand
 * over. Knows nothing but the API; see {@code docs/ARCHITECTURE.md}.
 */
package dev.hermod.internal.bridge;
