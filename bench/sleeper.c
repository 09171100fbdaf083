/* The floor for a resident process: a C program that only sleeps. */
#include <unistd.h>

int
main(void)
{
	for (;;)
		pause();
}
