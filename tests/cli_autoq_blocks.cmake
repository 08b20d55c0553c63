# `qtrain autoq` with the block scheduler and width tuning on the tiny jet
# tagger (2000 jets, one-epoch trials, real training).  Two blocks of two
# trials: block 2's trials resume from an epoch-0 checkpoint holding block
# 1's best weights; the last Dense keeps its 5 classes; a --resume runs
# nothing.
set(AUTOQ_BLOCKS_OUT ${CMAKE_CURRENT_BINARY_DIR}/autoq_blocks)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/autoq_blocks.json
  "{\"run\": \"${PROJECT_SOURCE_DIR}/examples/autoq/run_tiny.json\", \"layers\": \"fc[12]|relu[12]\", \"blocks\": [\"fc1|relu1\", \"fc2|relu2\"], \"tune_filters\": \"layer\", \"max_trials\": 2, \"seed\": 2}")
add_test(NAME cli_autoq_blocks COMMAND sh -c
  "rm -rf \"$1\" && \"$0\" autoq -q -o \"$1\" \"$2\" | grep -q '^widths: {\"fc1\"' && test $(grep -c '\"block\":\"fc2|relu2\"' \"$1/trials.jsonl\") -eq 2 && test -f \"$1/trials/3/run/checkpoints/last.pt\" && grep -Eq '\"units\": ?5([^0-9]|$)' \"$1/trials/3/run/model.json\" && \"$0\" autoq --resume -o \"$1\" \"$2\" | grep -c '^trial ' | grep -qx 0"
  $<TARGET_FILE:qtrain_cli> ${AUTOQ_BLOCKS_OUT} ${CMAKE_CURRENT_BINARY_DIR}/autoq_blocks.json)
# A searched layer outside every block: one line naming it, status 2.
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/autoq_bad_blocks.json
  "{\"run\": \"${PROJECT_SOURCE_DIR}/examples/autoq/run_tiny.json\", \"layers\": \"fc[12]|relu1\", \"blocks\": [\"fc1|relu1\"]}")
add_test(NAME cli_autoq_rejects_bad_blocks COMMAND sh -c
  "\"$0\" autoq -o \"$1.out\" \"$1\" 2>&1 | grep -q 'searched layer fc2 is in no block' && \"$0\" autoq -o \"$1.out\" \"$1\"; test $? -eq 2"
  $<TARGET_FILE:qtrain_cli> ${CMAKE_CURRENT_BINARY_DIR}/autoq_bad_blocks.json)
