/*
 * lin/link-socket: the lin build's TCP connection to its supervisor, read as soon as bytes
 * arrive. The SDK's lin sockets (embedded:io/socket/tcp, the older socket module) look for
 * readable bytes on a 20-ms poll, so a stop-and-wait exchange such as the Zigbee OTA block
 * transfer could never go faster than one block per 20 ms (about 45 blocks/s measured).
 * Here the file descriptor is watched by the simulator's own GLib main loop
 * (g_unix_fd_add), which calls `target.onReceived(ArrayBuffer)` when bytes are in and
 * `target.onClosed()` once when the peer closes or the socket fails.
 *
 * The socket stays blocking: reads happen only when the loop says the descriptor is
 * readable, and a write of a link message (a few hundred bytes to 127.0.0.1) completes at
 * once unless the supervisor stops reading, in which case waiting is what a device would do.
 */
#include "xsmc.h"
#include "mc.xs.h"
#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
	xsMachine *the;
	xsSlot target;
	int fd;
	guint watch;
} LinkSocketRecord;

static void linkSocketStop(LinkSocketRecord *r)
{
	if (r->watch) {
		g_source_remove(r->watch);
		r->watch = 0;
	}
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
}

void xs_lin_link_socket_destructor(void *data)
{
	if (data) {
		linkSocketStop((LinkSocketRecord *)data);
		c_free(data);
	}
}

static gboolean linkSocketReadable(gint fd, GIOCondition condition, gpointer data)
{
	LinkSocketRecord *r = data;
	uint8_t buffer[4096];
	ssize_t count = read(fd, buffer, sizeof(buffer));
	if ((count < 0) && ((errno == EINTR) || (errno == EAGAIN)))
		return G_SOURCE_CONTINUE;
	xsBeginHost(r->the);
	if (count > 0) {
		xsmcSetArrayBuffer(xsResult, buffer, (xsUnsignedValue)count);
		xsCall1(r->target, xsID_onReceived, xsResult);
	}
	else {
		r->watch = 0;
		xsCall0(r->target, xsID_onClosed);
	}
	xsEndHost(r->the);
	return (count > 0) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* new LinkSocket(port, target): connects to 127.0.0.1:port (throws when it cannot). */
void xs_lin_link_socket(xsMachine *the)
{
	int port = xsmcToInteger(xsArg(0));
	struct sockaddr_in address;
	int one = 1;
	LinkSocketRecord *r = c_calloc(1, sizeof(LinkSocketRecord));
	if (!r)
		xsUnknownError("link-socket: no memory");
	r->fd = -1;
	xsmcSetHostData(xsThis, r);
	r->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (r->fd < 0)
		xsUnknownError("link-socket: socket failed");
	memset(&address, 0, sizeof(address));
	address.sin_family = AF_INET;
	address.sin_port = htons((uint16_t)port);
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(r->fd, (struct sockaddr *)&address, sizeof(address)) < 0)
		xsUnknownError("link-socket: connect failed");
	setsockopt(r->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	r->the = the;
	r->target = xsArg(1);
	xsRemember(r->target);
	r->watch = g_unix_fd_add(r->fd, G_IO_IN | G_IO_HUP | G_IO_ERR, linkSocketReadable, r);
}

/* write(Uint8Array | ArrayBuffer): writes every byte or throws. */
void xs_lin_link_socket_write(xsMachine *the)
{
	LinkSocketRecord *r = xsmcGetHostData(xsThis);
	void *data;
	xsUnsignedValue length;
	if (!r || (r->fd < 0))
		xsUnknownError("link-socket: closed");
	xsmcGetBufferReadable(xsArg(0), &data, &length);
	while (length) {
		ssize_t count = write(r->fd, data, length);
		if (count < 0) {
			if (errno == EINTR)
				continue;
			xsUnknownError("link-socket: write failed");
		}
		/* the buffer cannot move: nothing here allocates in the XS heap */
		data = (uint8_t *)data + count;
		length -= (xsUnsignedValue)count;
	}
}

void xs_lin_link_socket_close(xsMachine *the)
{
	LinkSocketRecord *r = xsmcGetHostData(xsThis);
	if (r)
		linkSocketStop(r);
}
