/**
 * The lin build's TCP connection to its supervisor (native: link-socket.c), read from the
 * simulator's main loop as soon as bytes arrive. `target.onReceived(ArrayBuffer)` gets the
 * bytes; `target.onClosed()` is called once when the peer closes or the socket fails.
 */
export default class LinkSocket @ "xs_lin_link_socket_destructor" {
	constructor(port, target) @ "xs_lin_link_socket";
	write(bytes) @ "xs_lin_link_socket_write";
	close() @ "xs_lin_link_socket_close";
}
