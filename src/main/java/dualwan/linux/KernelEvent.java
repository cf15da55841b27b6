package dualwan.linux;

import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code ip [-N] monitor link address route rule} (iproute2's text format: it has no JSON for monitor),
 * reduced to what tells the daemon which re-read it needs. Lines this parser does not recognise become
 * {@link Kind#OTHER}, which the daemon answers with a full re-read: a new iproute2 format costs CPU, not a missed
 * change.
 *
 * @param kind     what changed
 * @param iface    the interface it concerns (links and addresses; routes with {@code dev})
 * @param table    a route's table as ip prints it ({@code main} when none is printed), or a rule's {@code lookup}
 * @param priority a rule's priority; empty above {@link Integer#MAX_VALUE} (the kernel's are unsigned 32-bit),
 *                 where no rule of dualwan's can be: config keeps its block below the main rule (32766)
 * @param ipv4     false for an IPv6 address or route, which dualwan ignores
 * @param toDefault a route whose destination is {@code default}
 */
public record KernelEvent(Kind kind, Optional<String> iface, Optional<String> table, OptionalInt priority,
                          boolean ipv4, boolean toDefault) {

    public enum Kind { LINK, ADDRESS, ROUTE, RULE, OTHER }

    private static final Pattern LINK = Pattern.compile("^\\d+: ([^:@\\s]+)(?:@[^:\\s]*)?: <");
    private static final Pattern ADDRESS = Pattern.compile("^\\d+: ([^:@\\s]+)\\s+(inet6?) ");
    private static final Pattern RULE = Pattern.compile("^(\\d+):\\s+(?:not\\s+)?from ");
    private static final Pattern LOOKUP = Pattern.compile(" (?:lookup|table) (\\S+)");
    private static final Pattern DEV = Pattern.compile(" dev (\\S+)");
    private static final Pattern TABLE = Pattern.compile(" table (\\S+)");
    private static final Pattern VIA = Pattern.compile(" via (?:inet6 )?(\\S+)");
    // Compiled once: a flood of monitor lines should cost matching, not compiling (String.matches compiles).
    private static final Pattern IPV4_PREFIX = Pattern.compile("[0-9.]+(/\\d+)?");
    private static final Pattern IPV6_PREFIX = Pattern.compile("[0-9a-fA-F:]+:[0-9a-fA-F:]*(/\\d+)?");
    /** A route line starts with its type unless unicast: a name, or with {@code ip -N} a number ("7 default …"). */
    private static final Pattern ROUTE_TYPE = Pattern.compile(
            "^(?:(unicast|local|broadcast|multicast|unreachable|blackhole|prohibit|throw|nat|anycast|\\d{1,2}) )?(\\S+)");

    static KernelEvent other() {
        return new KernelEvent(Kind.OTHER, Optional.empty(), Optional.empty(), OptionalInt.empty(), true, false);
    }

    /** The event a line starts, or empty for a continuation line (indented details of the previous one). */
    public static Optional<KernelEvent> parse(String line) {
        if (line.isEmpty() || Character.isWhitespace(line.charAt(0))) {
            return Optional.empty();
        }
        String l = line.startsWith("Deleted ") ? line.substring(8) : line;
        Matcher m = LINK.matcher(l);
        if (m.find()) {
            return Optional.of(new KernelEvent(Kind.LINK, Optional.of(m.group(1)), Optional.empty(),
                    OptionalInt.empty(), true, false));
        }
        m = ADDRESS.matcher(l);
        if (m.find()) {
            return Optional.of(new KernelEvent(Kind.ADDRESS, Optional.of(m.group(1)), Optional.empty(),
                    OptionalInt.empty(), m.group(2).equals("inet"), false));
        }
        m = RULE.matcher(l);
        if (m.find()) {
            // A rule priority is an unsigned 32-bit number: at most 10 digits.
            long priority = m.group(1).length() <= 10 ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
            if (priority > 0xFFFF_FFFFL) {
                return Optional.of(other()); // not a priority the kernel can have: not ip's format after all
            }
            Matcher t = LOOKUP.matcher(l);
            return Optional.of(new KernelEvent(Kind.RULE, Optional.empty(),
                    t.find() ? Optional.of(t.group(1)) : Optional.empty(),
                    priority <= Integer.MAX_VALUE ? OptionalInt.of((int) priority) : OptionalInt.empty(), true, false));
        }
        m = ROUTE_TYPE.matcher(l);
        if (m.find() && looksLikeRouteDestination(m.group(2))) {
            String dst = m.group(2);
            Matcher dev = DEV.matcher(l);
            Matcher table = TABLE.matcher(l);
            Matcher via = VIA.matcher(l);
            boolean ipv4 = !dst.contains(":") && !(via.find() && via.group(1).contains(":"));
            return Optional.of(new KernelEvent(Kind.ROUTE, dev.find() ? Optional.of(dev.group(1)) : Optional.empty(),
                    Optional.of(table.find() ? table.group(1) : "main"), OptionalInt.empty(), ipv4,
                    dst.equals("default")));
        }
        return Optional.of(other());
    }

    /** {@code default}, an IPv4/IPv6 address or prefix: what a route line starts with. */
    private static boolean looksLikeRouteDestination(String s) {
        return s.equals("default") || IPV4_PREFIX.matcher(s).matches() || IPV6_PREFIX.matcher(s).matches();
    }
}
