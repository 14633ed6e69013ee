/**
 * Small integer codes shared by the interpreter's parts (plain `const` numbers: they compile to
 * immediates, no lookup). Importers copy them into module-level constants (see context.ts) because
 * the TypeScript loader turns imported bindings into getters on the hot path.
 */

/** Hosts. */
export const CLIENT = 0;
export const SERVER = 1;

/** Packet kinds. */
export const K_REQ = 0;
export const K_RESP = 1;
export const K_ACK = 2;

/** Path directions: the sender's TX stages or the receiver's RX stages. */
export const DIR_TX = 0;
export const DIR_RX = 1;

/** Pending action of a packet, applied when the chunk that processed it ends (network-sim.ts). */
export const A_NONE = 0;
export const A_BACKLOG = 1;
export const A_GRO = 2;
export const A_SOCKET = 3;
export const A_NICTX = 4;
export const A_READ = 5;
export const A_FREE = 6;
/** Lost by a stage's loss_probability; actArg is the stage index in the packet's path. */
export const A_LOSE = 7;

/** NAPI poll-list items: item = type * ITEM + index (queue or CPU). */
export const ITEM = 1 << 20;
export const IT_NIC = 0;
export const IT_BACKLOG = 1;
export const IT_GRO = 2;
export const IT_TIMER = 3;
/** The per-CPU receive queue of a veth (host.nic.rx_cpu = sender): index = global CPU. */
export const IT_VETH = 4;

/** What a CPU is doing. */
export const R_IDLE = 0;
export const R_HARDIRQ = 1;
export const R_POLL = 2;
export const R_TASK = 3;
export const R_WAKE = 4;
export const R_STALL = 5;

/** Task types. */
export const T_NGINX = 0;
export const T_TCPKALI = 1;
export const T_KSOFTIRQD = 2;
