package dev.hermod.examples.vm;

import dev.hermod.Remote;
import java.util.List;

/**
 * The virtual machines of a management backend, in the style of the oVirt API's {@code vms}
 * collection: list and read them, start, stop and suspend them, and subscribe to their state
 * changes. The per-VM sub-resources are the {@link Disks}, {@link Nics} and {@link Permissions}
 * services.
 *
 * <p>A plain synchronous contract: how a servant answers is its own choice. The lab's servant
 * ({@code VmsImpl}) implements the generated servant companion {@code VmsAsyncServant}, whose
 * methods return a {@link java.util.concurrent.CompletionStage}, so the server holds no thread
 * while the backend works. Clients call {@code Vms} synchronously, or the generated
 * {@code VmsAsync} companion, unaware of that choice: its methods return a typed
 * {@link dev.hermod.AsyncResult} whose {@code value()} waits and throws the declared exceptions,
 * and is declared to throw those alone ({@code start} gives
 * {@code AsyncResult.Throwing2<Vm, NoSuchVm, VmStateConflict>}).
 *
 * <p>The actions ({@link #start}, {@link #stop}, {@link #suspend}) are long-running: they report
 * progress while they run and can be canceled, in which case the VM returns to the state it had
 * before the action.
 */
@Remote
public interface Vms {
    /**
     * Lists the virtual machines, ordered by id.
     *
     * @return every VM
     */
    List<Vm> list();

    /**
     * Reads one virtual machine.
     *
     * @param id the VM's id
     * @return the VM
     * @throws NoSuchVm if no VM has that id
     */
    Vm get(String id) throws NoSuchVm;

    /**
     * Starts a VM that is down or suspended; reports progress while it boots.
     *
     * @param id the VM's id
     * @return the VM, up
     * @throws NoSuchVm if no VM has that id
     * @throws VmStateConflict if the VM is neither down nor suspended
     */
    Vm start(String id) throws NoSuchVm, VmStateConflict;

    /**
     * Stops a VM that is up or suspended; reports progress while it shuts down.
     *
     * @param id the VM's id
     * @return the VM, down
     * @throws NoSuchVm if no VM has that id
     * @throws VmStateConflict if the VM is neither up nor suspended
     */
    Vm stop(String id) throws NoSuchVm, VmStateConflict;

    /**
     * Suspends a VM that is up; reports progress while its memory is saved.
     *
     * @param id the VM's id
     * @return the VM, suspended
     * @throws NoSuchVm if no VM has that id
     * @throws VmStateConflict if the VM is not up
     */
    Vm suspend(String id) throws NoSuchVm, VmStateConflict;

    /**
     * Lists the state changes of a VM since the server started, oldest first.
     *
     * @param id the VM's id
     * @return its state changes
     * @throws NoSuchVm if no VM has that id
     */
    List<VmStateChange> history(String id) throws NoSuchVm;

    /**
     * Subscribes to the state changes of every VM: the server calls the listener, oneway, over
     * the caller's connection. Subscribing the same listener again changes nothing. A listener
     * whose call fails, or whose connection is gone, is dropped.
     *
     * @param listener an object of the caller's, passed by reference
     */
    void subscribe(VmEvents listener);

    /**
     * Ends a subscription; does nothing if the listener is not subscribed.
     *
     * @param listener the object given to {@link #subscribe}
     */
    void unsubscribe(VmEvents listener);
}
