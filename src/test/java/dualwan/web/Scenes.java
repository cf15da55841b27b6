package dualwan.web;

import dualwan.model.DaemonState;
import dualwan.model.Mode;
import dualwan.model.SwitchEvent;
import dualwan.model.Verdict;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * An hour of a plausible life, fed state by state into a server, for the page's screenshot: isp1 at about 12 ms
 * with jitter, isp2 at about 25 ms, a lossy spell on isp2, an outage of isp1 40 minutes ago (failover, failback
 * after the hold), and isp1 down again for the last few minutes, with traffic on isp2.
 */
final class Scenes {

    private Scenes() {
    }

    static void lastHour(WebServer server, Instant now) throws InterruptedException {
        Instant start = now.minus(Duration.ofHours(1));
        Instant firstOut = now.minusSeconds(40 * 60);
        Instant firstBack = firstOut.plusSeconds(150);
        Instant secondOut = now.minusSeconds(4 * 60);
        String down = "0 of 3 hosts answer (need 1)";
        int switches = 0;
        Optional<SwitchEvent> last = Optional.empty();
        String active = "isp1";
        for (Instant t = start; !t.isAfter(now); t = t.plusSeconds(5)) {
            long s = t.getEpochSecond();
            Instant firstUp = firstBack.minusSeconds(35); // up again, then the 30 s hold
            boolean isp1Down = !t.isBefore(firstOut) && t.isBefore(firstUp) || !t.isBefore(secondOut);
            String want = isp1Down || t.isBefore(firstBack) && !t.isBefore(firstOut) ? "isp2" : "isp1";
            if (!want.equals(active)) {
                String reason = want.equals("isp2") ? "failover: isp1 " + down : "failback: isp1 up for 30s";
                SwitchEvent e = new SwitchEvent(Optional.of(active), Optional.of(want), t, reason);
                server.switched(e);
                last = Optional.of(e);
                switches++;
                active = want;
            }
            double jitter1 = 2.5 * Math.sin(s / 97.0) + 1.2 * Math.sin(s / 13.0);
            double jitter2 = 4 * Math.sin(s / 211.0) + 2 * Math.cos(s / 17.0);
            double loss2 = Math.abs(s - start.plusSeconds(15 * 60).getEpochSecond()) < 120 ? 15 : 0;
            Map<String, DaemonState.Uplink> wans = new LinkedHashMap<>();
            Instant isp1Since = t.isBefore(firstOut) ? start : t.isBefore(firstUp) ? firstOut
                    : t.isBefore(secondOut) ? firstUp : secondOut;
            wans.put("isp1", isp1Down ? States.uplink(1, Verdict.DOWN, down, 12, 100, isp1Since)
                    : States.uplink(1, Verdict.UP, "3 of 3 hosts answer", 11.5 + jitter1, 0, isp1Since));
            wans.put("isp2", States.uplink(2, Verdict.UP, "3 of 3 hosts answer", 24 + jitter2, loss2,
                    start.minus(Duration.ofHours(2))));
            String reason = active.equals("isp2") ? "failover: isp1 " + down : "isp1 is the best healthy uplink";
            DaemonState st = States.state(Optional.of(active), Mode.AUTO, reason, wans, switches, last, t);
            st = new DaemonState(st.version(), st.active(), st.mode(), st.reason(),
                    last.map(SwitchEvent::at).orElse(start), switches, last, wans, Map.of(),
                    new DaemonState.Conntrack("affected", switches, 3L * switches), st.kernel(), t, Map.of());
            st = st.withSection("panel", panel(isp1Down, active)).withSection("mqtt", mqtt());
            publishAndWait(server, st);
        }
    }

    private static Map<String, Object> panel(boolean isp1Down, String active) {
        Map<String, Object> leds = new LinkedHashMap<>();
        leds.put("isp1-health", isp1Down ? "off" : "on");
        leds.put("isp1-active", active.equals("isp1") ? "on" : "off");
        leds.put("isp2-health", "on");
        leds.put("isp2-active", active.equals("isp2") ? "on" : "off");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("provider", "gpiod");
        m.put("leds", leds);
        m.put("button", "BCM 24");
        return m;
    }

    private static Map<String, Object> mqtt() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("broker", "tcp://192.168.1.10:1883");
        m.put("connected", true);
        m.put("connections", 1);
        m.put("error", null);
        return m;
    }

    /** Publishes and waits until the server's worker has taken it, so no state is coalesced away. */
    static void publishAndWait(WebServer server, DaemonState s) throws InterruptedException {
        long before = server.pageUpdates();
        server.stateChanged(s);
        for (int i = 0; i < 1000 && server.pageUpdates() == before; i++) {
            Thread.sleep(1);
        }
        if (server.pageUpdates() == before) {
            throw new AssertionError("the web worker did not take the state within a second");
        }
    }
}
