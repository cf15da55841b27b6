package dualwan.config;

import java.util.OptionalInt;

/**
 * Which conntrack entries a flush may delete, e.g. {@code udp/5060}: the protocol, and the port the flow was
 * sent to (the original destination port, as {@code conntrack --dport} means it).
 */
public record FlowFilter(Protocol protocol, OptionalInt port) {

    @Override
    public String toString() {
        return protocol.label() + (port.isPresent() ? "/" + port.getAsInt() : "");
    }
}
