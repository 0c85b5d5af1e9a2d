package dev.hermod;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

final class StatusTest {
    @Test
    void code_isStableWireNumber() {
        // These numbers are on the wire: changing one breaks every deployed peer.
        Map<Status, Integer> expected = Map.ofEntries(
                Map.entry(Status.UNKNOWN, 1), Map.entry(Status.CANCELED, 2), Map.entry(Status.TIMEOUT, 3),
                Map.entry(Status.UNAVAILABLE, 4), Map.entry(Status.SERVICE_NOT_FOUND, 5),
                Map.entry(Status.OPERATION_NOT_FOUND, 6), Map.entry(Status.MARSHAL, 7),
                Map.entry(Status.REMOTE_FAILURE, 8), Map.entry(Status.PROTOCOL_ERROR, 9),
                Map.entry(Status.RESOURCE_EXHAUSTED, 10), Map.entry(Status.OBJECT_NOT_FOUND, 11),
                Map.entry(Status.UNAUTHENTICATED, 12), Map.entry(Status.PERMISSION_DENIED, 13));
        assertThat(Arrays.stream(Status.values()).collect(Collectors.toMap(s -> s, Status::code)))
                .isEqualTo(expected);
    }

    @Test
    void fromCode_roundTripsEveryStatus() {
        for (Status s : Status.values()) {
            assertThat(Status.fromCode(s.code())).isSameAs(s);
        }
    }

    @Test
    void fromCode_unknownNumber_mapsToUnknown() {
        assertThat(Status.fromCode(0)).isEqualTo(Status.UNKNOWN);
        assertThat(Status.fromCode(999)).isEqualTo(Status.UNKNOWN);
        assertThat(Status.fromCode(-1)).isEqualTo(Status.UNKNOWN);
    }
}
