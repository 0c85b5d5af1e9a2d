package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The module exports the API (with its security package), the codec SPI and the tools' package, and nothing internal. */
final class ModuleDescriptorTest {
    @Test
    void exports_onlyApiPackages() throws Exception {
        Path descriptor = Path.of(Remote.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("module-info.class");
        try (InputStream in = Files.newInputStream(descriptor)) {
            ModuleDescriptor module = ModuleDescriptor.read(in);
            assertThat(module.name()).isEqualTo("dev.hermod");
            assertThat(module.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrder("dev.hermod", "dev.hermod.security", "dev.hermod.intercept",
                            "dev.hermod.codec", "dev.hermod.tools", "dev.hermod.connection", "dev.hermod.health",
                            "dev.hermod.flow", "dev.hermod.resolve");
            assertThat(module.exports()).allSatisfy(e -> assertThat(e.isQualified()).isFalse());
        }
    }
}
