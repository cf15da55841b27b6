package dualwan.plan;

import dualwan.config.Ipv6;
import dualwan.config.Prefix6;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One {@code ip -6 rule}: {@link RuleSpec}'s counterpart. {@code from} is a prefix (an address is its /128), since
 * the rule that keeps a delegated prefix's traffic on its uplink names the whole prefix.
 */
public record Rule6Spec(int priority, Optional<Integer> fwmark, Optional<Prefix6> from, boolean suppressDefault,
                        String table, boolean foreign) implements OwnedRule {

    public static Rule6Spec fwmark(int priority, int mark, int table) {
        return new Rule6Spec(priority, Optional.of(mark), Optional.empty(), false, Integer.toString(table), false);
    }

    public static Rule6Spec from(int priority, Prefix6 source, int table) {
        return new Rule6Spec(priority, Optional.empty(), Optional.of(source), false, Integer.toString(table), false);
    }

    public static Rule6Spec mainWithoutDefault(int priority) {
        return new Rule6Spec(priority, Optional.empty(), Optional.empty(), true, "main", false);
    }

    public static Rule6Spec lookup(int priority, int table) {
        return new Rule6Spec(priority, Optional.empty(), Optional.empty(), false, Integer.toString(table), false);
    }

    @Override
    public Optional<String> source() {
        return from.map(p -> p.length() == 128 ? Ipv6.text(p.address()) : p.toString());
    }

    @Override
    public List<String> addArgs() {
        return args("add");
    }

    @Override
    public List<String> delArgs() {
        if (foreign) {
            throw new IllegalStateException("a foreign rule can only be deleted by its priority: " + this);
        }
        return args("del");
    }

    @Override
    public List<String> bareDelete() {
        return List.of("-6", "rule", "del", "priority", Integer.toString(priority));
    }

    private List<String> args(String verb) {
        List<String> a = new ArrayList<>(List.of("-6", "rule", verb, "priority", Integer.toString(priority)));
        fwmark.ifPresent(m -> a.addAll(List.of("fwmark", ConnMarks.hex(m))));
        source().ifPresent(s -> a.addAll(List.of("from", s)));
        a.addAll(List.of("lookup", table));
        if (suppressDefault) {
            a.addAll(List.of("suppress_prefixlength", "0"));
        }
        return a;
    }
}
