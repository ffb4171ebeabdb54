;;; emacs-try-recipe.el --- headless Emacs trying a dockfix recipe on files
;; Usage, with dockfix on PATH:
;;   emacs --batch -Q -l editors/emacs-try-recipe.el RECIPE.el ACTION FILE...
;; RECIPE.el (editors/dockfix-eglot.el or editors/dockfix-format.el) is
;; loaded as a user's init file would load it; then each FILE is visited and
;; ACTION done to it:
;;   save           save the buffer as after an edit, running the recipe's
;;                  before-save-hook (format on save)
;;   eglot-save     wait until eglot manages the buffer, then `save'
;;   eglot-fix-all  wait until eglot manages the buffer, run `dockfix-fix-all'
;;                  and save with no before-save-hook, so only the code
;;                  action changes the file
;; Exits 0 when every file was saved, else 1 with the reason on stderr.
;;   emacs --batch -Q -l editors/emacs-try-recipe.el --require FEATURE...
;; exits 0 when every FEATURE loads, else 3 naming the one that does not.
;; Written for Emacs 28 and eglot 1.9 (Debian bookworm) and later.

(require 'package)
;; -Q leaves out Debian's site start-up, which would add the directory of
;; its elpa-* packages (eglot, dockerfile-mode); add it by hand.
(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(setq make-backup-files nil)

(defun emacs-try-recipe--wait-for-eglot ()
  ;; `eglot-ensure' connects after the command that visited the file ends;
  ;; batch Emacs has no command loop, so end that command by hand.
  (run-hooks 'post-command-hook)
  (with-timeout (30 (error "eglot did not manage %s within 30 s" buffer-file-name))
    (while (not (eglot-managed-p))
      (accept-process-output nil 0.05))))

(defun emacs-try-recipe--save ()
  ;; `save-buffer' skips an unmodified buffer, hooks included.
  (set-buffer-modified-p t)
  (save-buffer))

(when (equal (car command-line-args-left) "--require")
  (dolist (feature (cdr command-line-args-left))
    (unless (require (intern feature) nil t)
      (message "%s cannot be loaded" feature)
      (kill-emacs 3)))
  (kill-emacs 0))

(condition-case err
    (let ((recipe (pop command-line-args-left)))
      (load (expand-file-name recipe) nil t)
      (while command-line-args-left
        (let ((action (pop command-line-args-left))
              (file (pop command-line-args-left)))
          (with-current-buffer (find-file-noselect file)
            (unless (derived-mode-p 'dockerfile-mode)
              (error "%s opened in %s, not dockerfile-mode" file major-mode))
            (pcase action
              ("save" (emacs-try-recipe--save))
              ("eglot-save"
               (emacs-try-recipe--wait-for-eglot)
               (emacs-try-recipe--save))
              ("eglot-fix-all"
               (emacs-try-recipe--wait-for-eglot)
               (dockfix-fix-all)
               (let ((before-save-hook nil))
                 (emacs-try-recipe--save)))
              (_ (error "unknown action %s" action))))))
      (when (fboundp 'eglot-shutdown-all)
        (eglot-shutdown-all)))
  (error
   (message "emacs-try-recipe: %s" (error-message-string err))
   (kill-emacs 1)))
(kill-emacs 0)
