package dualwan.plan;

import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code ip rule}, in the few shapes dualwan uses. Rules read from the kernel that have any other selector
 * are kept as {@code foreign} so that they never compare equal to a desired rule.
 */
public record RuleSpec(int priority, Optional<Integer> fwmark, Optional<Inet4Address> from, boolean suppressDefault,
                       String table, boolean foreign) {

    public static RuleSpec fwmark(int priority, int mark, int table) {
        return new RuleSpec(priority, Optional.of(mark), Optional.empty(), false, Integer.toString(table), false);
    }

    public static RuleSpec from(int priority, Inet4Address source, int table) {
        return new RuleSpec(priority, Optional.empty(), Optional.of(source), false, Integer.toString(table), false);
    }

    /** {@code lookup main suppress_prefixlength 0}: main's specific routes, not its default. */
    public static RuleSpec mainWithoutDefault(int priority) {
        return new RuleSpec(priority, Optional.empty(), Optional.empty(), true, "main", false);
    }

    public static RuleSpec lookup(int priority, int table) {
        return new RuleSpec(priority, Optional.empty(), Optional.empty(), false, Integer.toString(table), false);
    }

    /** Arguments after {@code ip rule add}. */
    public List<String> addArgs() {
        List<String> a = new ArrayList<>(List.of("rule", "add", "priority", Integer.toString(priority)));
        fwmark.ifPresent(m -> a.addAll(List.of("fwmark", "0x" + Integer.toHexString(m))));
        from.ifPresent(s -> a.addAll(List.of("from", s.getHostAddress())));
        a.addAll(List.of("lookup", table));
        if (suppressDefault) {
            a.addAll(List.of("suppress_prefixlength", "0"));
        }
        return a;
    }
}
