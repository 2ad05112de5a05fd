/**
 * PUBACKs in the order the PUBLISHes arrived (MQTT requires it for QoS 1), each sent only once its
 * message is settled. Pure bookkeeping: `settle` returns the packet ids now due, in order.
 */
export class OrderedAckQueue {
  private readonly order: number[] = [];
  private readonly settled = new Set<number>();

  get size(): number {
    return this.order.length;
  }

  /** A QoS 1 message arrived with this packet id. */
  received(packetId: number): void {
    this.order.push(packetId);
  }

  /** Its message is in Kafka: returns the ids that can be acknowledged now (maybe none, maybe several). */
  settle(packetId: number): number[] {
    this.settled.add(packetId);
    const due: number[] = [];
    while (this.order.length > 0 && this.settled.has(this.order[0])) {
      const id = this.order.shift() as number;
      this.settled.delete(id);
      due.push(id);
    }
    return due;
  }

  /** The connection dropped: its unacknowledged messages will be redelivered on the next one. */
  clear(): void {
    this.order.length = 0;
    this.settled.clear();
  }
}
