package dualwan.linux;

import com.fasterxml.jackson.jr.ob.JSON;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The interfaces of {@code ip -json -details link show}, as {@code dualwan init} needs them. Pure. */
public final class Links {

    /**
     * @param type    ip's link_type: ether, loopback, ppp, none (tun), …
     * @param up      administratively up
     * @param carrier lower layer up (a cable with a partner at the other end)
     * @param master  the bridge or bond it is a port of
     * @param kind    the driver kind ip reports (bridge, veth, vlan, …), empty for a plain NIC
     */
    public record Link(String name, String type, boolean up, boolean carrier, Optional<String> master,
                       Optional<String> kind) {

        public boolean bridge() {
            return kind.filter("bridge"::equals).isPresent();
        }
    }

    private Links() {
    }

    @SuppressWarnings("unchecked")
    public static List<Link> parse(String json) throws IOException {
        List<Link> out = new ArrayList<>();
        if (json.isBlank()) {
            return out;
        }
        for (Object o : JSON.std.listFrom(json)) {
            if (!(o instanceof Map<?, ?> raw) || !(raw.get("ifname") instanceof String name)) {
                continue;
            }
            Map<String, Object> m = (Map<String, Object>) raw;
            List<Object> flags = (List<Object>) m.getOrDefault("flags", List.of());
            Optional<String> kind = Optional.ofNullable(m.get("linkinfo"))
                    .map(l -> ((Map<String, Object>) l).get("info_kind")).map(String::valueOf);
            out.add(new Link(name, String.valueOf(m.getOrDefault("link_type", "none")), flags.contains("UP"),
                    flags.contains("LOWER_UP"), Optional.ofNullable((String) m.get("master")), kind));
        }
        return out;
    }
}
