package dualwan.plan;

import java.util.List;
import java.util.Optional;

/** What {@link Reconciler} needs of a rule of either family ({@link RuleSpec}, {@link Rule6Spec}). */
public interface OwnedRule {
    int priority();

    Optional<Integer> fwmark();

    /** The {@code from} selector as ip writes it, if any. */
    Optional<String> source();

    boolean suppressDefault();

    String table();

    /** Read from the kernel with selectors dualwan never writes: only deletable by its priority. */
    boolean foreign();

    List<String> addArgs();

    List<String> delArgs();

    /** {@code rule del priority P} for this family: deletes the slot's oldest rule, whatever it is. */
    List<String> bareDelete();
}
