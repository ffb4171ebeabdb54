;;; dockfix-eglot.el --- dockfix's language server in Emacs, through eglot
;; Emacs 28 with eglot 1.9 and dockerfile-mode (Debian bookworm: apt-get
;; install emacs-nox elpa-eglot elpa-dockerfile-mode), or Emacs 29+, where
;; eglot is built in. tests/emacs.rs loads this file as it is.

;; The server, started for every Dockerfile buffer.
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(dockerfile-mode . ("dockfix" "server"))))
(add-hook 'dockerfile-mode-hook #'eglot-ensure)

;; Format on save: the server's formatting applies the safe fixes.
(defun dockfix-eglot-format-on-save ()
  "Format a Dockerfile buffer through the server before each save."
  (when (derived-mode-p 'dockerfile-mode)
    (if (eglot-managed-p)
        (add-hook 'before-save-hook #'eglot-format-buffer nil t)
      (remove-hook 'before-save-hook #'eglot-format-buffer t))))
(add-hook 'eglot-managed-mode-hook #'dockfix-eglot-format-on-save)

;; Fix all on demand: the code action source.fixAll.dockfix.
(defun dockfix-fix-all ()
  "Apply dockfix's safe fixes to the buffer (code action source.fixAll.dockfix)."
  (interactive)
  (eglot-code-actions (point-min) (point-max) "source.fixAll.dockfix" t))
