# Examples: service files for systemd, OpenRC and sysvinit, and a
# logrotate entry, installed (as plain data: they are templates to copy
# and edit) into $(docdir)/examples, and distributed.
examplesdir = $(docdir)/examples
dist_examples_DATA = \
	examples/detach-forking.service \
	examples/detach-notify.service \
	examples/detach.openrc \
	examples/detach.logrotate \
	scripts/init.d-example \
	# EOL
