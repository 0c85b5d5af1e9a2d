package dev.hermod;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/ARCHITECTURE.md as a test: each package imports only the layers below it,
 * the API reaches the runtime only through the bridge, and the API knows nothing of Netty or
 * Jackson. The last tests show that each rule fails on a class that breaks it.
 */
final class ArchitectureTest {
    /** The internal layers, top to bottom: each may use the API and the layers after it. */
    private static final String[][] INTERNAL_LAYERS = {
        {"Runtime", "dev.hermod.internal.runtime.."},
        {"Invocation", "dev.hermod.internal.invocation.."},
        {"Dispatch", "dev.hermod.internal.dispatch.."},
        {"Stream", "dev.hermod.internal.stream.."},
        {"Reference", "dev.hermod.internal.reference.."},
        {"Contract", "dev.hermod.internal.contract.."},
        {"Codec", "dev.hermod.internal.codec.."},
        {"Protocol", "dev.hermod.internal.protocol.."},
        {"Transport", "dev.hermod.internal.transport.."},
    };

    /** Each package imports only downward; the API and the bridge only each other. */
    static final ArchRule LAYERS = layers();

    /** The API and what it hands to the runtime name no Netty or Jackson type. */
    static final ArchRule API_WITHOUT_NETTY_OR_JACKSON = noClasses()
            .that().resideInAnyPackage("dev.hermod", "dev.hermod.security", "dev.hermod.intercept", "dev.hermod.codec",
                    "dev.hermod.tools", "dev.hermod.connection", "dev.hermod.health", "dev.hermod.flow",
                    "dev.hermod.resolve", "dev.hermod.internal.bridge..")
            .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "com.fasterxml.jackson..")
            .because("the API must not change when the transport or the default codec does");

    /** No two internal packages use each other, whatever the layer list says. */
    static final ArchRule NO_CYCLES = slices().matching("dev.hermod.internal.(*)..").should().beFreeOfCycles();

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.hermod");
    }

    private static ArchRule layers() {
        LayeredArchitecture rule = layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .ensureAllClassesAreContainedInArchitecture()
                .layer("API").definedBy("dev.hermod", "dev.hermod.security", "dev.hermod.intercept", "dev.hermod.codec",
                        "dev.hermod.tools", "dev.hermod.connection", "dev.hermod.health", "dev.hermod.flow",
                        "dev.hermod.resolve")
                .layer("Bridge").definedBy("dev.hermod.internal.bridge..");
        for (String[] layer : INTERNAL_LAYERS) {
            rule = rule.layer(layer[0]).definedBy(layer[1]);
        }
        rule = rule.whereLayer("API").mayOnlyAccessLayers("Bridge")
                .whereLayer("Bridge").mayOnlyAccessLayers("API");
        for (int i = 0; i < INTERNAL_LAYERS.length; i++) {
            // The bridge is the API's inside: the runtime fills in Engine, every layer makes
            // the API's exceptions through Failures.
            List<String> below = new ArrayList<>(List.of("API", "Bridge"));
            Arrays.stream(INTERNAL_LAYERS, i + 1, INTERNAL_LAYERS.length).forEach(l -> below.add(l[0]));
            rule = rule.whereLayer(INTERNAL_LAYERS[i][0]).mayOnlyAccessLayers(below.toArray(String[]::new));
        }
        return rule.because("each layer of docs/ARCHITECTURE.md uses only the layers below it");
    }

    @Test
    void mainClasses_importOnlyDownward() {
        LAYERS.check(main);
    }

    @Test
    void api_knowsNothingOfNettyOrJackson() {
        API_WITHOUT_NETTY_OR_JACKSON.check(main);
    }

    @Test
    void internalPackages_formNoCycles() {
        NO_CYCLES.check(main);
    }

    @Test
    void layers_lowerLayerUsingAnUpperOne_isAViolation() {
        EvaluationResult result = LAYERS.evaluate(fixtures(dev.hermod.internal.transport.ReachesUp.class));

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains("ReachesUp").contains("invocation.Call");
    }

    @Test
    void layers_apiUsingTheRuntimePastTheBridge_isAViolation() {
        EvaluationResult result = LAYERS.evaluate(fixtures(ReachesPastBridge.class));

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains("runtime.ClientImpl");
    }

    @Test
    void api_namingNetty_isAViolation() {
        EvaluationResult result = API_WITHOUT_NETTY_OR_JACKSON.evaluate(fixtures(NamesNetty.class));

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains("io.netty.buffer.ByteBuf");
    }

    @Test
    void cycles_twoInternalPackagesUsingEachOther_isAViolation() {
        // The invocation layer uses the transport; the fixture makes the transport use it back.
        JavaClasses withFixture = new ClassFileImporter().importPackages("dev.hermod");
        assertThat(withFixture.contain(dev.hermod.internal.transport.ReachesUp.class)).isTrue();

        EvaluationResult result = NO_CYCLES.evaluate(withFixture);

        assertThat(result.hasViolation()).isTrue();
    }

    private static JavaClasses fixtures(Class<?>... classes) {
        return new ClassFileImporter().importClasses(classes);
    }

    /** Breaks the layers: API code using an implementation class directly. */
    static final class ReachesPastBridge {
        static Object client(dev.hermod.internal.bridge.ClientConfig config) {
            return new dev.hermod.internal.runtime.ClientImpl(config);
        }
    }

    /** Breaks the API rule: a Netty type in the API package. */
    static final class NamesNetty {
        static int size(io.netty.buffer.ByteBuf buffer) {
            return buffer.readableBytes();
        }
    }
}
