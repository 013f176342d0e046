/* SPDX-License-Identifier: Apache-2.0 */
#include "print.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pl011.h"
#include "spinlock.h"
#include "sysreg.h"

static void pad(unsigned n, char c)
{
	while (n--)
		pl011_putc(c);
}

static void emit(const char *s, size_t len, unsigned width, bool left, char fill)
{
	unsigned fillers = width > len ? width - (unsigned)len : 0;

	if (!left)
		pad(fillers, fill);
	while (len--)
		pl011_putc(*s++);
	if (left)
		pad(fillers, ' ');
}

static size_t utoa(char *end, unsigned long long v, unsigned base)
{
	size_t n = 0;

	do {
		*--end = "0123456789abcdef"[v % base];
		v /= base;
		n++;
	} while (v);
	return n;
}

static void vprint_locked(const char *fmt, va_list ap)
{
	char buf[24];

	for (; *fmt; fmt++) {
		unsigned width = 0, lng = 0;
		bool left = false, neg = false;
		char fill = ' ';
		unsigned long long v;
		const char *s;
		size_t n;

		if (*fmt != '%') {
			pl011_putc(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '-') {
			left = true;
			fmt++;
		}
		if (*fmt == '0') {
			fill = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'z') {
			lng = *fmt == 'z' ? 2 : lng + 1;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			for (n = 0; s[n]; n++)
				;
			emit(s, n, width, left, ' ');
			break;
		case 'c':
			buf[0] = (char)va_arg(ap, int);
			emit(buf, 1, width, left, ' ');
			break;
		case 'd':
		case 'i':
			if (lng >= 1) {
				long long sv = lng == 1 ? va_arg(ap, long) : va_arg(ap, long long);
				neg = sv < 0;
				v = neg ? 0 - (unsigned long long)sv : (unsigned long long)sv;
			} else {
				int sv = va_arg(ap, int);
				neg = sv < 0;
				v = neg ? 0 - (unsigned long long)(long long)sv
					: (unsigned long long)sv;
			}
			n = utoa(buf + sizeof(buf), v, 10);
			if (neg) {
				buf[sizeof(buf) - n - 1] = '-';
				n++;
			}
			emit(buf + sizeof(buf) - n, n, width, left, fill);
			break;
		case 'u':
		case 'x':
		case 'p':
			if (*fmt == 'p')
				v = (uintptr_t)va_arg(ap, void *);
			else if (lng == 0)
				v = va_arg(ap, unsigned int);
			else if (lng == 1)
				v = va_arg(ap, unsigned long);
			else if (lng == 2)
				v = va_arg(ap, size_t);
			else
				v = va_arg(ap, unsigned long long);
			n = utoa(buf + sizeof(buf), v, *fmt == 'u' ? 10 : 16);
			if (*fmt == 'p') {
				pl011_putc('0');
				pl011_putc('x');
			}
			emit(buf + sizeof(buf) - n, n, width, left, fill);
			break;
		case '%':
			pl011_putc('%');
			break;
		default: /* unknown conversion: show it, so the bug is visible */
			pl011_putc('%');
			if (!*fmt)
				return;
			pl011_putc(*fmt);
			break;
		}
	}
}

/*
 * One console for every CPU (of this image: the hypervisor and the host
 * program each have their own lock): a line printed in several calls stays
 * whole under print_lock(). Recursive for the CPU that holds it (its
 * MPIDR_EL1 is the owner), so that a failure reported while printing
 * still gets out.
 */
static uint32_t lock_word;
static uint64_t owner;
static unsigned depth;

void print_lock(void)
{
	uint64_t me = read_sysreg(mpidr_el1) | 1ull << 63; /* never 0 */

	if (__atomic_load_n(&owner, __ATOMIC_RELAXED) != me) {
		spin_lock(&lock_word);
		__atomic_store_n(&owner, me, __ATOMIC_RELAXED);
	}
	depth++;
}

void print_unlock(void)
{
	if (--depth)
		return;
	__atomic_store_n(&owner, 0, __ATOMIC_RELAXED);
	spin_unlock(&lock_word);
}

void vprint(const char *fmt, va_list ap)
{
	print_lock();
	vprint_locked(fmt, ap);
	print_unlock();
}

void print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}
