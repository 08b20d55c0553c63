# `qtrain autoq --workers`: examples/autoq/tiny.json (three one-epoch trials,
# base run with one thread) with two workers writes the journal one worker
# writes, but for the times; each trial has its worker log; a --resume with
# workers runs nothing.
set(AUTOQ_WORKERS_OUT ${CMAKE_CURRENT_BINARY_DIR}/autoq_workers)
add_test(NAME cli_autoq_workers COMMAND sh -c
  "rm -rf \"$1\" && \"$0\" autoq -q -o \"$1/one\" \"$2\" && \"$0\" autoq -q --workers 2 -o \"$1/two\" \"$2\" && sed 's/\"seconds\":[^,]*,//' \"$1/one/trials.jsonl\" > \"$1/one.jsonl\" && sed 's/\"seconds\":[^,]*,//' \"$1/two/trials.jsonl\" > \"$1/two.jsonl\" && test $(wc -l < \"$1/two.jsonl\") -eq 3 && cmp \"$1/one.jsonl\" \"$1/two.jsonl\" && test -s \"$1/two/trials/2/worker.log\" && \"$0\" autoq --resume --workers 2 -o \"$1/two\" \"$2\" | grep -c '^trial ' | grep -qx 0"
  $<TARGET_FILE:qtrain_cli> ${AUTOQ_WORKERS_OUT} ${PROJECT_SOURCE_DIR}/examples/autoq/tiny.json)
# --workers must be positive: status 2.
add_test(NAME cli_autoq_rejects_workers COMMAND sh -c
  "\"$0\" autoq --workers 0 -o \"$1.out\" \"$2\" 2>&1 | grep -q -- '--workers' && \"$0\" autoq --workers 0 -o \"$1.out\" \"$2\"; test $? -eq 2"
  $<TARGET_FILE:qtrain_cli> ${CMAKE_CURRENT_BINARY_DIR}/autoq_workers_bad ${PROJECT_SOURCE_DIR}/examples/autoq/tiny.json)
