package dualwan.it;

import dualwan.lab.Lab;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * The dual-stack lab's side of the daemon tests: a config with IPv6 hosts on both uplinks and {@code lan.ipv6},
 * the state's IPv6 keys, and the router's IPv6 tables. Addresses are the lab's (scripts/lab-ipv6): each ISP's
 * router is {@code fe80::1} on its customer link (learned from router adverts), the router's uplinks are
 * {@code 2001:db8:N:1::2}, the LAN is {@code fd00:1::/64} with the client at {@code fd00:1::2}.
 */
final class DualStack {

    static final String ISP1_HOSTS6 = "2001:db8:f0::1, 2001:db8:f0::2, 2001:db8:f1::1";
    static final String ISP2_HOSTS6 = "2001:db8:f0::3, 2001:db8:f1::2, 2001:db8:f1::3";
    /** An inet host no uplink probes: the LAN flows' far end. */
    static final String SINK6 = "2001:db8:f1::3";

    private DualStack() {
    }

    /** The lab config with IPv6 hosts on both uplinks (gateway6 auto: the RA's fe80::1) and the LAN's ULA. */
    static Daemon configure(Lab lab, Path dir, String hold, UnaryOperator<String> edit) {
        return Daemon.configure(lab, dir, hold, y -> {
            String six = y.replace("hosts: [192.0.2.1, 198.51.100.1, 203.0.113.1]",
                            "hosts: [192.0.2.1, 198.51.100.1, 203.0.113.1, " + ISP1_HOSTS6 + "]")
                    .replace("hosts: [192.0.2.2, 198.51.100.2, 203.0.113.2]",
                            "hosts: [192.0.2.2, 198.51.100.2, 203.0.113.2, " + ISP2_HOSTS6 + "]")
                    .replace("lan:\n  interfaces: [lan0]\n", "lan:\n  interfaces: [lan0]\n  ipv6:\n"
                            + "    prefix: fd00:1::/64\n    learned-dir: " + lab.ipv6().learnedDir() + "\n");
            assertNotEquals(y, six, "scripts/lab.yaml changed: hosts or lan lines not found");
            return edit.apply(six);
        });
    }

    static Daemon configure(Lab lab, Path dir, String hold) {
        return configure(lab, dir, hold, UnaryOperator.identity());
    }

    static Object active6(Map<String, Object> s) {
        return s.get("active6");
    }

    static String state6(Map<String, Object> s, String wan) {
        return (String) Daemon.wan(s, wan).get("state6");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> ipv6(Map<String, Object> s) {
        return (Map<String, Object>) s.get("ipv6");
    }

    /** Both uplinks up in both families, isp1 carrying both. */
    static Map<String, Object> awaitAllUp(Daemon daemon) {
        daemon.awaitAllUp();
        return daemon.awaitState("isp1 carrying IPv6 too, both uplinks' IPv6 up", java.time.Duration.ofSeconds(20),
                s -> "isp1".equals(active6(s)) && "up".equals(state6(s, "isp1")) && "up".equals(state6(s, "isp2"))
                        && Daemon.inSync(s));
    }

    /** The device of table 200's IPv6 default, "unreachable", or null when it has none. */
    static String lanDefaultDev6(Lab lab) {
        Lab.Result r = lab.exec("rtr", "ip", "-6", "-json", "route", "show", "table", "200");
        if (!r.ok() || r.stdout().isBlank()) {
            return null;
        }
        for (Map<String, Object> route : Daemon.jsonList(r.stdout())) {
            if ("default".equals(route.get("dst"))) {
                return "unreachable".equals(route.get("type")) ? "unreachable" : (String) route.get("dev");
            }
        }
        return null;
    }

    /** Every IPv6 rule priority in dualwan's block, as often as the kernel has it. */
    static List<Integer> rulePriorities6(Lab lab) {
        return Daemon.jsonList(lab.exec("rtr", "ip", "-6", "-json", "rule", "show").stdout()).stream()
                .map(r -> ((Number) r.get("priority")).intValue()).filter(p -> p >= 1000 && p <= 1099).toList();
    }

    /** Removes dualwan's IPv6 rules and routes (the IPv4 ones and the nft table: {@link Daemon#resetKernel}). */
    static void resetKernel6(Lab lab) {
        for (int prio : rulePriorities6(lab)) {
            lab.exec("rtr", "ip", "-6", "rule", "del", "priority", Integer.toString(prio));
        }
        for (String t : List.of("101", "102", "200")) {
            lab.exec("rtr", "ip", "-6", "route", "flush", "table", t);
        }
    }
}
