package dualwan.config;

/** Ports {@code from..to}, both included, 1..65535; a single port has from == to. */
public record PortRange(int from, int to) {

    @Override
    public String toString() {
        return from == to ? Integer.toString(from) : from + "-" + to;
    }
}
