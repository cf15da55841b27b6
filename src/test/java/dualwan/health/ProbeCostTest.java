package dualwan.health;

import dualwan.model.ProbeMethod;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Probe bytes as frames on the link: what a metered uplink's counter sees, per family. */
class ProbeCostTest {

    @Test
    void ipv4ProbesAreMinimumFramesAndIpv6OnesCarryTheLongerHeader() {
        ProbeMethod icmp = new ProbeMethod.Icmp();
        ProbeMethod dns = new ProbeMethod.Dns();
        assertEquals(60, ProbeCost.request(icmp), "IPv4: 20 + 16 bytes, padded to the 60-byte minimum");
        assertEquals(70, ProbeCost.request(icmp, Family.IPV6), "IPv6: 14 + 40 + 16");
        assertEquals(70, ProbeCost.reply(icmp, Family.IPV6));
        assertEquals(79, ProbeCost.request(dns, Family.IPV6), "14 + 40 + 8 + 17");
        assertEquals(60, ProbeCost.request(dns));
        assertEquals(ProbeCost.request(icmp), ProbeCost.request(icmp, Family.IPV4));
    }

    @Test
    void thirtyDaysOfOneIcmpv6RoundTripASecond() {
        long perRound = ProbeCost.request(new ProbeMethod.Icmp(), Family.IPV6)
                + ProbeCost.reply(new ProbeMethod.Icmp(), Family.IPV6);
        assertEquals(362.88, ProbeCost.projectedMb30(perRound, Duration.ofSeconds(1)), 0.01, "140 B × 2,592,000 s");
    }
}
