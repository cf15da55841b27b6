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
                       String table, boolean foreign) implements OwnedRule {

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

    @Override
    public Optional<String> source() {
        return from.map(Inet4Address::getHostAddress);
    }

    @Override
    public List<String> bareDelete() {
        return List.of("rule", "del", "priority", Integer.toString(priority));
    }

    /** Arguments after {@code ip}: {@code rule add priority P SELECTORS lookup T}. */
    @Override
    public List<String> addArgs() {
        return args("add");
    }

    /**
     * Arguments after {@code ip} that delete exactly this rule: {@code rule del} with its priority, selectors and
     * table, so that another rule at the same priority is never the one deleted. Not for a {@code foreign} rule,
     * whose selectors this record does not hold.
     */
    @Override
    public List<String> delArgs() {
        if (foreign) {
            throw new IllegalStateException("a foreign rule can only be deleted by its priority: " + this);
        }
        return args("del");
    }

    private List<String> args(String verb) {
        List<String> a = new ArrayList<>(List.of("rule", verb, "priority", Integer.toString(priority)));
        fwmark.ifPresent(m -> a.addAll(List.of("fwmark", ConnMarks.hex(m))));
        from.ifPresent(s -> a.addAll(List.of("from", s.getHostAddress())));
        a.addAll(List.of("lookup", table));
        if (suppressDefault) {
            a.addAll(List.of("suppress_prefixlength", "0"));
        }
        return a;
    }
}
