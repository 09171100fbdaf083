# Bash completion: scripts/detach.bash-completion is installed as
# $(bashcompletiondir)/detach, where bash-completion loads it the first
# time detach is completed.  configure --with-bash-completion-dir=DIR
# chooses the directory (default $(datadir)/bash-completion/completions,
# inside the prefix so that `make distcheck` can install and uninstall
# it); --without-bash-completion-dir installs nothing.  Included from
# Makefile.am.
#
# The file is installed under another name than its own, which
# bashcompletion_DATA cannot do: hence the -local hooks, added to as
# prerequisites so that other fragments may hook them too.

EXTRA_DIST += scripts/detach.bash-completion

if BASH_COMPLETION
install-bash-completion:
	@$(NORMAL_INSTALL)
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)'
	$(INSTALL_DATA) '$(srcdir)/scripts/detach.bash-completion' \
	    '$(DESTDIR)$(bashcompletiondir)/detach'

uninstall-bash-completion:
	@$(NORMAL_UNINSTALL)
	rm -f '$(DESTDIR)$(bashcompletiondir)/detach'
else
install-bash-completion:
uninstall-bash-completion:
endif

install-data-local: install-bash-completion
uninstall-local: uninstall-bash-completion

.PHONY: install-bash-completion uninstall-bash-completion
