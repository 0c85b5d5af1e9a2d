package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every server describes its services under the reserved name "hermod", for tools. */
final class DescribeTest {

    @Test
    void describe_listsServicesOperationsAndTypes() throws Exception {
        try (Server server = Hermod.server().host("127.0.0.1")
                        .add("employees", Employees.class, new EmployeesImpl())
                        .add("jobs", Jobs.class, new JobsImpl())
                        .start();
                Client client = TestServers.client(server)) {
            List<ServiceDescription> services = client.describe().value();
            assertThat(services).extracting(ServiceDescription::name).containsExactly("employees", "jobs");
            ServiceDescription employees = services.get(0);
            assertThat(employees.contract()).isEqualTo(Employees.class.getName());
            assertThat(employees.operations()).extracting(ServiceDescription.Operation::name)
                    .contains("getName", "rename", "names", "slowEcho").doesNotContain("greeting");
            ServiceDescription.Operation getName = employees.operations().stream()
                    .filter(o -> o.name().equals("getName")).findFirst().orElseThrow();
            assertThat(getName.parameters()).containsExactly(new ServiceDescription.Parameter("number", "int"));
            assertThat(getName.result()).isEqualTo("java.lang.String");
            assertThat(getName.exceptions()).containsExactly(NoSuchEmployee.class.getName());
            assertThat(getName.onewayCapable()).isFalse();
            ServiceDescription.Operation names = employees.operations().stream()
                    .filter(o -> o.name().equals("names")).findFirst().orElseThrow();
            assertThat(names.result()).isEqualTo("java.util.List<java.lang.String>");
            ServiceDescription.Operation later = services.get(1).operations().stream()
                    .filter(o -> o.name().equals("later")).findFirst().orElseThrow();
            assertThat(later.async()).isTrue();
            assertThat(later.result()).isEqualTo("java.lang.String");
        }
    }

    @Test
    void describe_byDynamicInvocation_returnsPlainData() throws Exception {
        try (Server server = TestServers.employees(); Client client = TestServers.client(server)) {
            Object described = client.invoke("hermod", "describe").value();
            assertThat(described).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.LIST)
                    .first().asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .containsEntry("name", "employees");
            assertThat(((Map<?, ?>) ((List<?>) described).get(0)).get("operations")).isInstanceOf(List.class);
        }
    }

    @Test
    void add_reservedName_rejected() {
        assertThatThrownBy(() -> Hermod.server().add("hermod", Employees.class, new EmployeesImpl()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    }
}
