dist_man_MANS += man/detach.1
