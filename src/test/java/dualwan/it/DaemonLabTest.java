package dualwan.it;

import dualwan.lab.Lab;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One lab per test class, one daemon per test: after each test the daemon is stopped, faults are healed and
 * the kernel objects the daemon owns are removed, so tests cannot leak state into each other.
 *
 * <p>Each test may take 2 minutes (the default is 60 s): they take 5–20 s in a lab run, and two to four times
 * as long on a busy two-core machine.
 */
@EnabledIfSystemProperty(named = "dualwan.lab", matches = "true")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
abstract class DaemonLabTest {

    static Lab lab;
    Daemon daemon;

    @BeforeAll
    static void up() {
        assumeTrue(Lab.available(), "lab needs root, ip and nft");
        lab = Lab.start();
    }

    @AfterAll
    static void down() {
        ItLabs.close(lab);
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        lab.heal();
        Daemon.resetKernel(lab);
    }
}
