# bash completion for waitscope(8)
_waitscope()
{
	local cur prev cmd i
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--debugfs) ((i++)) ;;
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	case $prev in
	--debugfs) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	--reason)
		# slow takes a comma list: complete the name after the last comma.
		local done=
		[[ $cur == *,* ]] && done=${cur%,*},
		COMPREPLY=($(compgen -P "$done" -W "runq futex io uninterruptible sleep" -- "${cur##*,}"))
		return ;;
	--sort) COMPREPLY=($(compgen -W "runq oncpu blocked p99 longest" -- "$cur")); return ;;
	--group) COMPREPLY=($(compgen -W "thread process pool cgroup" -- "$cur")); return ;;
	--format) COMPREPLY=($(compgen -W "prometheus json" -- "$cur")); return ;;
	--allow)
		COMPREPLY=($(compgen -W "comm= syscall= reason= futex_op= futex_val= frame= uframe=" -- "$cur"))
		compopt -o nospace 2> /dev/null
		return ;;
	esac
	case $cmd in
	"") COMPREPLY=($(compgen -W "status report top hist blocked why waits futex slow watch export snapshot reset enable disable filter blocked-min --debugfs --help --version" -- "$cur")) ;;
	report) COMPREPLY=($(compgen -W "--interval --pid --stuck --runq-p99 --runq-share --starve-ratio --blocked-share --contention --contention-rate --contention-waits --allow --json --help" -- "$cur")) ;;
	top) COMPREPLY=($(compgen -W "-d -b -n -p --sort --group --lines --from --cgroup-root --help" -- "$cur")) ;;
	hist) COMPREPLY=($(compgen -W "--pid --tid --reason --ms --help" -- "$cur")) ;;
	blocked) COMPREPLY=($(compgen -W "--min --pid --json --help" -- "$cur")) ;;
	why) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
	waits) COMPREPLY=($(compgen -W "--pid --help" -- "$cur")) ;;
	futex) COMPREPLY=($(compgen -W "--pid --json --help" -- "$cur")) ;;
	slow) COMPREPLY=($(compgen -W "--min --reason --pid --tid --exits --stack --follow --interval --json --help" -- "$cur")) ;;
	watch)
		# After "--" (or the command), the words are CMD's: complete a command, then files.
		for ((i++; i < COMP_CWORD; i++)); do
			[[ ${COMP_WORDS[i]} == -- ]] && { COMPREPLY=($(compgen -c -f -- "$cur")); return; }
		done
		case $prev in
		--ignore|--json|--junit) COMPREPLY=($(compgen -f -- "$cur")); return ;;
		--stuck|--max-lock-wait|--max-runq-p99|--leaked-min) COMPREPLY=($(compgen -W "off" -- "$cur")); return ;;
		esac
		COMPREPLY=($(compgen -W "--pid --for --interval --stuck --leaked-min --grace --max-lock-wait --max-runq-p99 --no-stuck --no-deadlock --no-frozen --no-leaked --no-contention --no-starvation --ignore --allow --baseline --json --junit --kill-leftovers --no-cgroup --help --" -- "$cur")) ;;
	export) COMPREPLY=($(compgen -W "--format --min-thread --help" -- "$cur")) ;;
	status) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
	snapshot) COMPREPLY=($(compgen -d -- "$cur")) ;;
	filter) COMPREPLY=($(compgen -W "tgid= off" -- "$cur")) ;;
	esac
}
complete -F _waitscope waitscope
